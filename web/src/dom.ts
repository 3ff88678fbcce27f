// Small DOM helpers shared by the page's modules: element lookup and the message strip.

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** The strip of messages under the header; `where` says which part of the page a message is about. */
export class Messages {
  private readonly box = $('messages');

  /** `action`: a button in the message (e.g. undo); pressing it runs it and dismisses the message. */
  show(text: string, where = 'page', kind: 'error'|'info' = 'error', action?: {label: string; run: () => void}): void {
    for (const el of Array.from(this.box.children) as HTMLElement[]) {
      if (el.dataset.text === text) return;
    }
    const div = document.createElement('div');
    div.className = `msg ${kind}`;
    div.dataset.where = where;
    div.dataset.text = text;
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = 'dismiss';
    close.onclick = () => div.remove();
    const span = document.createElement('span');
    span.textContent = `${where}: ${text}`;
    div.append(span);
    if (action) {
      const b = document.createElement('button');
      b.className = 'msg-action';
      b.textContent = action.label;
      b.onclick = () => {
        div.remove();
        action.run();
      };
      div.append(b);
    }
    div.append(close);
    this.box.append(div);
  }

  /** Removes the messages about these parts (all when none are given). */
  clear(where?: string[]): void {
    for (const el of Array.from(this.box.children) as HTMLElement[]) {
      if (!where || where.includes(el.dataset.where ?? '')) el.remove();
    }
  }
}
