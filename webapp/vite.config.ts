// The plugin bundle: one IIFE file (`dist/main.js`) that the chat client
// loads as a script. React and ReactDOM are the client's (window.React,
// window.ReactDOM), as with Mattermost plugins, so they are externals here.
import {defineConfig} from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig(({command}) => ({
    plugins: [react({jsxRuntime: 'classic'})],
    // Library mode leaves process.env alone; the browser has no `process`.
    define: command === 'build' ? {'process.env.NODE_ENV': JSON.stringify('production')} : {},
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        sourcemap: false,
        lib: {
            entry: 'src/index.tsx',
            name: 'PlaybooksPlugin',
            formats: ['iife'],
            fileName: () => 'main.js',
        },
        rollupOptions: {
            external: ['react', 'react-dom'],
            output: {globals: {react: 'React', 'react-dom': 'ReactDOM'}},
        },
    },
    test: {
        environment: 'jsdom',
        globals: true,
    },
}));
