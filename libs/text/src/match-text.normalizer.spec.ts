import { matchText } from './match-text.normalizer';

describe('matchText', () => {
  it.each([
    ['punctuation and spaces removed', '小区 门口，占道经营！', '小区门口占道经营'],
    ['lower-cased half-width', 'ＡＢＣ物业 Company', 'abc物业company'],
    ['Traditional to Simplified', '噪音擾民，請儘快處理', '噪音扰民请尽快处理'],
    [
      'greetings and sign-offs',
      '尊敬的领导：您好！小区停车收费不合理。谢谢！此致敬礼',
      '小区停车收费不合理',
    ],
    ['greeting in Traditional', '尊敬的領導您好，路燈壞了，望回復', '路灯坏了'],
    ['greeting that reappears after removal', '您您好好路灯坏了', '路灯坏了'],
    ['masked phone with label', '我的电话*****，请联系', '我的请联系'],
    ['masked mobile number', '手机138****1234联系我', '联系我'],
    ['masked names and places', 'xxx小区×××路的张**反映', '小区路的张反映'],
    ['masked id number', '身份证号430***********1234，欠薪', '欠薪'],
    ['HTML input', '<p>投诉&nbsp;<b>物业</b></p>', '投诉物业'],
    ['symbols and emoji removed', '噪音😡→扰民※', '噪音扰民'],
    ['empty', '  ，。！ ', ''],
  ])('%s', (_name, input, expected) => {
    expect(matchText(input)).toBe(expected);
  });

  it('gives the same text for Simplified, Traditional and full-width variants', () => {
    expect(matchText('請問社保卡怎麼辦理？')).toBe(matchText('请问社保卡怎么办理?'));
    expect(matchText('ＡＢＣ，１２３')).toBe(matchText('abc 123'));
  });

  it.each([
    '尊敬的领导您好，A市某小区电话*****门口xxx占道经营，谢谢',
    '您您好好，謝謝謝謝',
    '电话x，x联系',
    '138x，x1234与×，×',
    '<p>Ｘｘ路&nbsp;段</p>',
  ])('is idempotent: %s', (input) => {
    const once = matchText(input);
    expect(matchText(once)).toBe(once);
  });
});
