// Types for fontkit (it ships none): the one call this project makes. pdfkit embeds the Font
// objects it returns (it accepts any object with a `layout` method as a font source).
declare module 'fontkit' {
  interface Font {
    layout(text: string): unknown;
  }
  export function openSync(path: string): Font;
}
