// Type-checked linting with zero warnings allowed (npm test runs `eslint --max-warnings 0`).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Dependency direction: apps → libs through each lib's single alias, never deep paths or
// relative hops across projects; libs never import apps; contracts import nothing of ours.
const deepLibImports = {
  group: ['@app/*/*', '**/libs/*', '**/libs/**', '**/apps/**'],
  message:
    'Import a lib through its alias (@app/<lib>), never a deep or relative path across projects.',
};

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
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deepLibImports,
            {
              group: ['@app/*', '@nestjs/*'],
              message: 'contracts depend on nothing of ours and not on Nest.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/contracts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deepLibImports,
            {
              group: ['**/index', '../index', './index'],
              message: 'A lib never imports its own barrel.',
            },
          ],
        },
      ],
    },
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
