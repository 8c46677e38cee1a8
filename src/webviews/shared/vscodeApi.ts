// The page's handle on VS Code (`acquireVsCodeApi`, which a page may call once), typed by the
// messages the page sends and the state it keeps while hidden.

export interface WebviewApi<Message, State> {
  postMessage(message: Message): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): unknown;

/** Call once per page. */
export function webviewApi<Message, State>(): WebviewApi<Message, State> {
  return acquireVsCodeApi() as WebviewApi<Message, State>;
}
