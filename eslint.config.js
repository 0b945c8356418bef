import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', 'web/build/', 'web/.svelte-kit/', 'reports/', '**/test-results/', 'data/'] },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } }
  },
  {
    rules: {
      // Unused names are errors, except the deliberate `_`-prefixed ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests read loosely-typed JSON bodies; modules' boundaries stay strict through tsc.
      '@typescript-eslint/no-explicit-any': 'off'
    }
  },
  {
    files: ['web/**/*.svelte'],
    rules: {
      // Links go through SvelteKit's router already; resolve() adds nothing for this SPA's paths.
      'svelte/no-navigation-without-resolve': 'off'
    }
  },
  {
    files: ['web/**/*.svelte', 'web/**/*.svelte.ts'],
    rules: {
      // The stores keep plain Maps/Sets of 10,000 entries and signal changes themselves
      // (createSubscriber), which is far cheaper than a reactive proxy per entry.
      'svelte/prefer-svelte-reactivity': 'off'
    }
  }
);
