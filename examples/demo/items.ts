// The catalog's items: things made of woven and knitted thread (the demo of a mesh called
// weft). Socks are the item whose votes fail on purpose (they go missing in the wash).

export interface Item {
  readonly id: string;
  readonly name: string;
  readonly emoji: string;
}

export const ITEMS: readonly Item[] = Object.freeze([
  { id: 'yarn', name: 'Ball of yarn', emoji: '🧶' },
  { id: 'thread', name: 'Spool of thread', emoji: '🧵' },
  { id: 'needle', name: 'Sewing needle', emoji: '🪡' },
  { id: 'scarf', name: 'Scarf', emoji: '🧣' },
  { id: 'gloves', name: 'Gloves', emoji: '🧤' },
  { id: 'coat', name: 'Coat', emoji: '🧥' },
  { id: 'shirt', name: 'T-shirt', emoji: '👕' },
  { id: 'socks', name: 'Socks', emoji: '🧦' },
  { id: 'kimono', name: 'Kimono', emoji: '👘' },
  { id: 'hat', name: 'Top hat', emoji: '🎩' },
].map((i) => Object.freeze(i)));

/** Item ids are lower-case words; anything else is rejected before it reaches a map or a log. */
export const ITEM_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
