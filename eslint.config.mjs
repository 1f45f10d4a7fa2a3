// Type-checked linting with zero warnings allowed (npm test runs `eslint --max-warnings 0`).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Dependency direction: apps → libs through each lib's single alias, never deep paths or
// relative hops across projects; libs never import apps; contracts import nothing of ours.
const deepLibImports = {
  group: ['@app/*/*', '**/libs/*', '**/libs/**', '**/apps/**'],
  message:
    'Import a lib through its alias (@app/<lib>), never a deep or relative path across projects.',
};

/**
 * Which lib may import which (the layering). Leaves first; a lib absent from another's list may
 * not be imported by it. Changing this is a design decision: say why in the commit.
 */
const LIB_DEPENDENCIES = {
  contracts: [],
  text: [],
  identity: [],
  observability: [],
  config: ['contracts'],
  kafka: ['contracts', 'observability'],
  mail: ['text', 'identity'],
  classify: ['text', 'contracts'],
  routing: ['text', 'contracts', 'identity'],
  dedup: ['text', 'contracts', 'identity', 'routing'],
};

const layering = Object.entries(LIB_DEPENDENCIES).map(([lib, allowed]) => ({
  files: [`libs/${lib}/**/*.ts`],
  ignores: ['**/*.spec.ts', '**/*.int-spec.ts', `libs/${lib}/bench/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepLibImports,
          {
            group: ['@app/*', ...allowed.map((a) => `!@app/${a}`)],
            message: `libs/${lib} may import only ${allowed.length ? allowed.map((a) => '@app/' + a).join(', ') : 'no lib of ours'} (LIB_DEPENDENCIES in eslint.config.mjs).`,
          },
          ...(lib === 'contracts'
            ? [{ group: ['@nestjs/*'], message: 'contracts do not depend on Nest.' }]
            : [
                {
                  group: ['**/index', '../index', './index'],
                  message: 'A lib never imports its own barrel.',
                },
              ]),
        ],
      },
    ],
  },
}));

/** Neither app imports the other: they meet only on Kafka topics and through libs. */
const appIsolation = [
  ['gateway', 'normalizer'],
  ['normalizer', 'gateway'],
].map(([app, other]) => ({
  files: [`apps/${app}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepLibImports,
          { group: [`**/${other}/**`], message: `apps/${app} never imports apps/${other}.` },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '.cache/**', 'node_modules/**', '*.js', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [deepLibImports] }],
    },
  },
  ...layering,
  ...appIsolation,
  {
    // No import cycles anywhere (a cycle is a layering mistake that lint cannot otherwise see).
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Tests, scripts and benchmarks may print, and tests use jest's loosely typed matchers.
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      'test/**/*.ts',
      'scripts/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      // Test support boots the real apps, so tests may reach into apps/; libs still go by alias.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/*/*', '**/libs/**'], message: 'Import a lib through its alias.' },
          ],
        },
      ],
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
