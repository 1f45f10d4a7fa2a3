import { Converter } from 'opencc-js';
import { conversionTables } from './chinese-script.tables';
import { toSimplified } from './simplified.converter';

describe('toSimplified', () => {
  it.each([
    ['網上群眾路線', '网上群众路线'],
    [
      '住家附近工地噪音擾民，我抱著試一試的心態留言反映',
      '住家附近工地噪音扰民，我抱著试一试的心态留言反映',
    ],
    // 著 is also a Simplified character (著名): like opencc's hk→cn, it is left alone.
    ['乾隆年間的乾燥氣候', '乾隆年间的干燥气候'],
    ['頭髮和發展', '头发和发展'],
    ['著名的著作', '著名的著作'],
    ['一目瞭然', '一目了然'],
    ['臺灣颱風', '台湾台风'],
    ['ABC 123，已是简体', 'ABC 123，已是简体'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(toSimplified(input)).toBe(expected);
  });

  it('returns Simplified input as the same string', () => {
    const s = '小区门口占道经营，噪音扰民';
    expect(toSimplified(s)).toBe(s);
  });

  it('agrees with opencc-js on Traditional prose', () => {
    const reference = Converter({ from: 'hk', to: 'cn' });
    const text =
      '重慶：用心用情服務群眾，走好新時代網上群眾路線。市民在留言板反映社保卡辦理問題，' +
      '相關部門當天就來電話回覆，並承諾儘快處理小區車庫收費與違章建築。';
    expect(toSimplified(text)).toBe(reference(text));
  });

  it('is idempotent over every phrase in the dictionary', () => {
    const broken: string[] = [];
    for (const list of conversionTables.phrases.values()) {
      for (const { to } of list) {
        const once = toSimplified(to);
        if (toSimplified(once) !== once) broken.push(to);
      }
    }
    expect(broken).toEqual([]);
  });
});
