// ESLint for the TypeScript sources (npm run lint): typescript-eslint's strict,
// type-checked rules. Formatting is Prettier's (.prettierrc.json), not ESLint's.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'build-*/', 'node_modules/', 'bench/', 'examples/', 'scripts/', 'test/fixtures/', 'test/**/*.cjs', 'prebuilds/', 'pack/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Messages print numbers and the like, as node's do.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Values come from JavaScript callers whatever their declared types say: the checks and
      // coercions node:tls makes on them stay, though the types call them unnecessary.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests exercise deprecated node:tls API on purpose (bufferSize, createSecurePair, setOptions),
    // assert on values they know are there, and feed the library what a JS caller could.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-deprecated': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Spies replace and restore methods; callbacks capture their `this`; module objects
      // are required as CommonJS sees them; node's own objects are `any` in @types/node.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-this-alias': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Its fixes drop assertions the compiler needs here (event payloads typed by hand).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
