// The chat client: a single-page app the server embeds and serves. Assets
// live under /static/ (hashed names, cached forever); index.html is served
// for every page route. The build goes to the workspace's target/ so
// nothing generated sits in the source tree.
import {defineConfig} from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
    plugins: [react()],
    base: '/static/',
    build: {
        outDir: '../../target/webclient',
        emptyOutDir: true,
        sourcemap: false,
        assetsDir: 'assets',
    },
    server: {
        // `npm run dev` against a server on the default port.
        proxy: {
            '/api': {target: 'http://127.0.0.1:8065', ws: true},
            '/plugins': 'http://127.0.0.1:8065',
            '/static/plugins': 'http://127.0.0.1:8065',
        },
    },
    test: {
        environment: 'jsdom',
        globals: true,
    },
});
