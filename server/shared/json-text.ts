// A response body already serialised as JSON. A hot read path (the share feed) assembles its
// answer from fragments it keeps serialised between requests; routes send the text as it is
// instead of building objects only to stringify them again.
export class JsonText {
  constructor(readonly text: string) {}
}
