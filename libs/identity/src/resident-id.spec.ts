import { residentIdCheckChar, residentIdProblem } from './resident-id';

describe('GB 11643 resident ID', () => {
  // 11010519491231002 is the standard's own worked example; its check character is X.
  it('computes the check character of the worked example', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it.each([
    ['11010519491231002X', null],
    ['11010519491231002x', null],
    ['110105194912310021', 'check-digit'],
    ['11010519491331002X', 'birth-date'],
    ['11010519490230002X', 'birth-date'],
    ['1101051949123100', 'format'],
    ['ABCDEFGHIJKLMNOPQR', 'format'],
  ])('%s → %s', (id, problem) => {
    expect(residentIdProblem(id)).toBe(problem);
  });

  it('catches every single mistyped digit of a valid number', () => {
    const valid = '11010519491231002X';
    for (let i = 14; i < 17; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const typo = valid.slice(0, i) + String(d) + valid.slice(i + 1);
        expect(residentIdProblem(typo)).toBe('check-digit');
      }
    }
  });
});
