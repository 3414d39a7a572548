/** A draft's parts as PATCH /letters/:id takes them back: blocks by name, paragraphs by id and text. */
export function contentOf(draft: { content: { type: string; id?: number; name?: string; text?: string }[] }) {
  return draft.content.map((p): Record<string, unknown> =>
    p.type === 'block'
      ? { type: 'block', name: p.name }
      : p.type === 'fixed'
        ? { type: 'fixed', id: p.id }
        : { type: 'paragraph', id: p.id, text: p.text },
  );
}
