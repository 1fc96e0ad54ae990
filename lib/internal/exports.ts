// node's modules export plain writable properties: a program or an APM agent may wrap
// `tls.connect` or replace `https.globalAgent` by assignment. TypeScript's CommonJS
// output makes a re-export a getter instead; this turns those back into data properties.

/**
 * Makes each getter export of `exported` a writable data property holding its current
 * value; those named in `fixed` stay getters and become non-configurable (node:tls's
 * `rootCertificates`). Accessors with a setter are the module's own and are left alone,
 * as are non-configurable ones (tsx, which runs the tests on lib/, fixes every export).
 */
export function writableExports(exported: Record<string, unknown>, fixed: readonly string[] = []): void {
  for (const name of Object.keys(exported)) {
    const d = Object.getOwnPropertyDescriptor(exported, name);
    if (d === undefined || d.configurable !== true || d.get === undefined || d.set !== undefined) continue;
    if (fixed.includes(name)) {
      Object.defineProperty(exported, name, { configurable: false });
    } else {
      Object.defineProperty(exported, name, {
        value: exported[name],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
}
