// Runs once before the suite: makes the test certificates (never committed).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

execFileSync('bash', [path.join(__dirname, 'fixtures', 'make-certs.sh')], { stdio: 'inherit' });
