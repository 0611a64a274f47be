// The bundle's entry: registers with the chat client (Mattermost's
// `window.registerPlugin(id, plugin)` convention).
import {PLUGIN_ID, PlaybooksPlugin} from './plugin';

declare global {
    interface Window {
        registerPlugin?: (id: string, plugin: unknown) => void;
    }
}

if (typeof window !== 'undefined' && typeof window.registerPlugin === 'function') {
    window.registerPlugin(PLUGIN_ID, new PlaybooksPlugin());
}
