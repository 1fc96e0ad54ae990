'use strict';
// Summary statistics and number formatting for the bench tables.

function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function min(xs) {
  const v = xs.filter(Number.isFinite);
  return v.length === 0 ? NaN : Math.min(...v);
}

function max(xs) {
  const v = xs.filter(Number.isFinite);
  return v.length === 0 ? NaN : Math.max(...v);
}

/** A number with about three significant digits, thousands separated. */
function fmt(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Seconds as µs or ms, whichever reads better. */
function fmtTime(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds >= 1e-3) return `${fmt(seconds * 1e3)} ms`;
  return `${fmt(seconds * 1e6)} µs`;
}

function fmtBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  if (Math.abs(bytes) >= 1024 * 1024) return `${fmt(bytes / 1024 / 1024)} MiB`;
  if (Math.abs(bytes) >= 1024) return `${fmt(bytes / 1024)} KiB`;
  return `${fmt(bytes)} B`;
}

function fmtRange(xs, f = fmt) {
  return `${f(min(xs))}–${f(max(xs))}`;
}

module.exports = { median, min, max, fmt, fmtTime, fmtBytes, fmtRange };
