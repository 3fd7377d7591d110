// Lint rules: typescript-eslint's recommended set; layering is checked by dependency-cruiser.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-artifacts/', 'public/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Outbound requests go through src/federation/http-client.ts, which applies the address policy.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['fetch', 'WebSocket', 'EventSource'].map((name) => ({ name, message: 'Outbound requests go through src/federation/http-client.ts.' }))],
    },
  },
);
