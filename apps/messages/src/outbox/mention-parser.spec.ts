import { parseMentions } from './mention-parser';

describe('parseMentions', () => {
  const recipients = ['bob', 'carol.k', 'dave@corp', 'erin'];

  it('finds recipients written as @id, distinct, in order of first appearance', () => {
    expect(parseMentions('@erin and @bob, also @erin again', recipients)).toEqual(['erin', 'bob']);
  });

  it('keeps ids with dots and @, and drops sentence punctuation after an id', () => {
    expect(parseMentions('ask @carol.k. Or @dave@corp: now. Thanks @bob.', recipients)).toEqual([
      'carol.k',
      'dave@corp',
      'bob',
    ]);
  });

  it('ignores ids that are not recipients, e-mail addresses and a lone @', () => {
    expect(parseMentions('@mallory mail me at x@bob or @ noon', recipients)).toEqual([]);
  });

  it('finds a mention at the very start and after a newline', () => {
    expect(parseMentions('@bob\n@erin', recipients)).toEqual(['bob', 'erin']);
  });
});
