/** Worker thread of a Results panel: answers its PanelSourceRequests one after another, keeping the last analysis between them. */
import { parentPort } from 'node:worker_threads';
import { PanelSource, type PanelSourceRequest } from './panelSource';

const source = new PanelSource();
parentPort?.on('message', (request: PanelSourceRequest) => parentPort?.postMessage(source.answer(request)));
