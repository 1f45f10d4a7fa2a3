import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadGazetteer, parseGazetteer } from './gazetteer.config';
import { extractLocality } from './locality.extractor';
import type { DivisionCounty, DivisionSource } from './division.data';

// A small division table written for these tests: it keeps the rows readable and independent of
// the national data (whose own cases are further down).
const county = (code: string, name: string, towns: string[]): DivisionCounty => ({
  code,
  name,
  prefecture: null,
  province: '重庆市',
  towns: towns.map((town, i) => ({ code: `${code}${String(i + 1).padStart(3, '0')}`, name: town })),
});
const counties = [
  county('500105', '江北区', ['观音桥街道']),
  county('500112', '渝北区', ['人和街道', '回兴街道']),
  county('500115', '长寿区', ['晏家街道']),
  county('500154', '开州区', []),
  county('500235', '云阳县', ['人和街道']),
  county('500102', '涪陵区', ['李渡街道', '江北街道']),
  county('500236', '奉节县', ['夔门街道']),
];
const testDivisions: DivisionSource = () => ({
  provinces: [{ code: '50', name: '重庆市' }],
  counties,
  nationalCountyNames: new Set(counties.map((c) => c.name)),
  // 江北街道 stands here for a name many towns of other provinces bear (高桥镇, 朝阳街道).
  elsewhere: new Map([['江北街道', 5]]),
});
const gazetteer = parseGazetteer(
  {
    provinces: ['重庆市'],
    contextCues: ['重庆', '家住'],
    stopPhrases: ['公开县', '长江北'],
    districts: [
      { name: '渝北区', aliases: ['江北机场'] },
      { name: '长寿区', shortNeedsContext: true, aliases: ['长寿县'] },
      { name: '开州区', aliases: ['开县'] },
      { name: '奉节县', towns: [{ name: '夔门街道', aliases: ['夔门'] }] },
    ],
  },
  'test-gazetteer',
  testDivisions,
);

type Row = [string, string, string | null, string | null, string | null, 'text' | 'channel' | null];

describe('extractLocality', () => {
  it.each<Row>([
    ['full name and town', '涪陵区李渡街道的路灯坏了两个月', null, '涪陵区', '李渡街道', 'text'],
    ['channel county only', '小区路灯坏了两个月', '奉节县', '奉节县', null, 'channel'],
    ['channel county by short name', '小区路灯坏了两个月', '奉节', '奉节县', null, 'channel'],
    ['channel county in Traditional', '小区路灯坏了两个月', '奉節縣', '奉节县', null, 'channel'],
    ['unknown channel county is ignored', '小区路灯坏了两个月', '某某县', null, null, null],
    ['nothing at all', '小区路灯坏了两个月', null, null, null, null],
    ['text beats channel', '我在涪陵打工被欠薪', '奉节县', '涪陵区', null, 'text'],
    ['former name as alias', '开县的老街要拆了', null, '开州区', null, 'text'],
    ['stop phrase hides an alias', '希望政府公开县里的财务', null, null, null, null],
    ['ambiguous short name as a word', '村里的长寿老人没领到补贴', null, null, null, null],
    ['short name after a cue', '家住长寿，楼下烧烤太吵', null, '长寿区', null, 'text'],
    ['short name after 重庆', '重庆长寿的自来水发黄', null, '长寿区', null, 'text'],
    ['short name before its town', '长寿晏家街道有臭味', null, '长寿区', '晏家街道', 'text'],
    ['short name with its suffix', '长寿县城的老房子', null, '长寿区', null, 'text'],
    ['short name inside a local word', '江北嘴的写字楼停车难', null, '江北区', null, 'text'],
    ['stop phrase: a road, not the district', '长江北路有个大坑', null, null, null, null],
    ['alias beats a short name it contains', '从江北机场打车被绕路', null, '渝北区', null, 'text'],
    ['town beats a short name', '涪陵江北街道的菜市场漏水', null, '涪陵区', '江北街道', 'text'],
    ['town common elsewhere, alone', '江北街道的菜市场漏水', null, null, null, null],
    [
      'town common elsewhere + channel',
      '江北街道的菜市场漏水',
      '涪陵区',
      '涪陵区',
      '江北街道',
      'text',
    ],
    [
      'town without suffix after its county',
      '涪陵李渡的路灯坏了',
      null,
      '涪陵区',
      '李渡街道',
      'text',
    ],
    ['town without suffix alone is a word', '李渡的路灯坏了', '涪陵区', '涪陵区', null, 'channel'],
    [
      'shared town, county named apart',
      '人和街道站牌倒了，云阳县不管',
      null,
      '云阳县',
      '人和街道',
      'text',
    ],
    [
      'shared town, county beside beats channel',
      '渝北区人和街道站牌',
      '云阳县',
      '渝北区',
      '人和街道',
      'text',
    ],
    ['town after its district', '重庆市涪陵区李渡街道的路', null, '涪陵区', '李渡街道', 'text'],
    ['town after a cue ending in 市', '重庆市李渡街道的路', null, '涪陵区', '李渡街道', 'text'],
    ['same town name in another county', '某某县李渡街道的水库', null, null, null, null],
    [
      'same town name in another district',
      '渌口区 李渡街道的水库',
      '奉节县',
      '奉节县',
      null,
      'channel',
    ],
    ['town alias', '夔门景区门口乱收费', null, '奉节县', '夔门街道', 'text'],
    ['town shared by two districts, no hint', '人和街道站牌倒了', null, null, null, null],
    ['shared town + channel', '人和街道站牌倒了', '云阳县', '云阳县', '人和街道', 'text'],
    ['shared town + text', '渝北区人和街道站牌倒了', null, '渝北区', '人和街道', 'text'],
    [
      'most mentions win',
      '奉节县人在涪陵区李渡街道打工，涪陵区老板欠薪',
      null,
      '涪陵区',
      '李渡街道',
      'text',
    ],
    ['full name beats a short name', '在江北上班，家在渝北区', null, '渝北区', null, 'text'],
    ['tie goes to the first mention', '江北区和渝北区交界处的路', null, '江北区', null, 'text'],
    ['tie → channel county', '江北区和渝北区交界处的路', '渝北区', '渝北区', null, 'text'],
    ['Traditional input', '涪陵區李渡街道的路燈壞了', null, '涪陵区', '李渡街道', 'text'],
    ['Traditional county and town', '奉節縣夔門街道', null, '奉节县', '夔门街道', 'text'],
    ['mixed scripts', '奉節县的路', null, '奉节县', null, 'text'],
    ['line break inside a name', '奉节\n县夔门 街道的路', null, '奉节县', '夔门街道', 'text'],
  ])('%s: %s (channel %s)', (_, text, channel, district, town, source) => {
    const locality = extractLocality(text, channel, gazetteer);
    expect({ district: locality.district, town: locality.town, source: locality.source }).toEqual({
      district,
      town,
      source,
    });
  });

  it.each([
    ['涪陵区的路灯', null, 0.9],
    ['涪陵的路灯', null, 0.6],
    ['李渡街道的路灯', null, 0.7],
    ['涪陵区李渡街道的路灯', null, 0.9],
    ['江北区和渝北区交界处', null, 0.45],
    ['路灯坏了', '涪陵区', 0.5],
    ['路灯坏了', null, 0],
  ])('confidence of %s (channel %s) is %d', (text, channel, confidence) => {
    expect(extractLocality(text, channel, gazetteer).confidence).toBe(confidence);
  });
});

describe('shipped gazetteer (config/gazetteer.yaml)', () => {
  const shipped = loadGazetteer(join(__dirname, '..', '..', '..', 'config', 'gazetteer.yaml'));
  const names = shipped.config.districts.map((district) => district.name);

  it('lists Chongqing’s 26 districts and 12 counties by their official names', () => {
    const districts =
      '万州 涪陵 渝中 大渡口 江北 沙坪坝 九龙坡 南岸 北碚 綦江 大足 渝北 巴南 黔江 长寿 江津 合川 永川 南川 璧山 铜梁 潼南 荣昌 开州 梁平 武隆';
    const counties =
      '城口县 丰都县 垫江县 忠县 云阳县 奉节县 巫山县 巫溪县 石柱土家族自治县 秀山土家族苗族自治县 酉阳土家族苗族自治县 彭水苗族土家族自治县';
    const expected = [...districts.split(' ').map((short) => `${short}区`), ...counties.split(' ')];
    expect(expected).toHaveLength(38);
    expect([...names].sort()).toEqual([...expected].sort());
  });

  it.each([
    ['家住重慶市渝中區化龍橋', '渝中区', '化龙桥街道'],
    ['石柱县西沱镇的渡口', '石柱土家族自治县', '西沱镇'],
    ['酉阳土家族苗族自治县龙潭镇的学校', '酉阳土家族苗族自治县', '龙潭镇'],
    ['梁平县的柚子卖不出去', '梁平区', null],
    ['铜梁县城的公交', '铜梁区', null],
    ['开县临江镇的桥', '开州区', '临江镇'],
    ['江北区观音桥街道的步行街', '江北区', '观音桥街道'],
    ['株洲渌口区龙潭镇的水库', null, null],
    ['J6县龙潭镇马家坪村', null, null],
    ['扩大足球场的面积', null, null],
    ['一根石柱倒在路上', null, null],
    ['联合川渝两地的医保', null, null],
    ['湖南川菜馆油烟扰民', null, null],
    ['出城口的路太堵', null, null],
    ['希望召开县委会议研究', null, null],
  ])('%s → %s / %s', (text, district, town) => {
    const locality = extractLocality(text, null, shipped);
    expect([locality.district, locality.town]).toEqual([district, town]);
  });

  it('has every town of the national data, with its code', () => {
    const towns = shipped.config.districts.reduce((n, d) => n + d.towns.length, 0);
    expect(towns).toBeGreaterThan(1000);
    expect(shipped.config.districts.find((d) => d.name === '忠县')?.code).toBe('500233');
  });

  // Town names several counties share: the county beside it, else the one named elsewhere in the
  // text, else the channel's county, else no town (and no district from the town).
  type SharedRow = [string, string | null, string | null, string | null, string | null];
  it.each<SharedRow>([
    ['綦江区东溪镇停水三天了', null, '綦江区', '东溪镇', '500110109'],
    ['忠县东溪镇停水三天了', null, '忠县', '东溪镇', '500233105'],
    ['东溪镇停水三天了', '忠县', '忠县', '东溪镇', '500233105'],
    ['東溪鎮停水三天了', '綦江区', '綦江区', '东溪镇', '500110109'],
    ['东溪镇停水三天了', null, null, null, null],
    ['东溪镇停水三天了，忠县自来水公司不管', null, '忠县', '东溪镇', '500233105'],
    ['大足区回龙镇的桥断了', null, '大足区', '回龙镇', '500111109'],
    ['梁平回龙镇的桥断了', null, '梁平区', '回龙镇', '500155114'],
    ['回龙镇的桥断了', '梁平区', '梁平区', '回龙镇', '500155114'],
    ['回龙镇的桥断了', null, null, null, null],
    ['回龙镇的桥断了', '奉节县', '奉节县', null, '500236'],
    ['长寿区双龙镇的路', null, '长寿区', '双龙镇', '500115127'],
    ['丰都双龙镇的路', null, '丰都县', '双龙镇', '500230124'],
    ['双龙镇的路', '云阳县', '云阳县', '双龙镇', '500235138'],
    ['双龙镇的路', '巫山县', '巫山县', '双龙镇', '500237105'],
    ['双龙镇的路', null, null, null, null],
    ['彭水双龙乡的路', null, '彭水苗族土家族自治县', '双龙乡', '500243223'],
    ['忠县白石镇停水三天', null, '忠县', '白石镇', '500233120'],
    ['黔江区白石镇停水三天', null, '黔江区', '白石镇', '500114120'],
    ['白石镇停水三天', null, null, null, null],
    ['白石镇停水三天', '忠县', '忠县', '白石镇', '500233120'],
    ['白石镇停水三天', '开州区', '开州区', null, '500154'],
    ['忠县白石停水三天', null, '忠县', '白石镇', '500233120'],
    ['白石停水三天', '忠县', '忠县', null, '500233'],
    ['渝北区回兴街道的路灯', null, '渝北区', '回兴街道', '500112004'],
  ])('%s (channel %s) → %s / %s / %s', (text, channel, district, town, code) => {
    const locality = extractLocality(text, channel, shipped);
    expect([locality.district, locality.town, locality.code]).toEqual([district, town, code]);
  });
});

describe('gazetteer for another province (Guizhou, by configuration)', () => {
  // The shipped file's overlay with only its province changed, as a deployment would do it.
  const shippedFile = join(__dirname, '..', '..', '..', 'config', 'gazetteer.yaml');
  const guizhou = parseGazetteer(
    { ...(parse(readFileSync(shippedFile, 'utf8')) as object), provinces: ['贵州省'] },
    'guizhou',
  );

  it('loads Guizhou’s counties and towns and none of Chongqing’s', () => {
    const names = guizhou.config.districts.map((d) => d.name);
    expect(names).toHaveLength(88);
    expect(names).toEqual(
      expect.arrayContaining(['南明区', '花溪区', '播州区', '威宁彝族回族苗族自治县']),
    );
    expect(names).not.toContain('忠县');
    expect(guizhou.config.provinces).toEqual(['贵州省']);
  });

  type GuizhouRow = [string, string | null, string | null, string | null, string | null];
  it.each<GuizhouRow>([
    ['贵阳市花溪区青岩镇的古镇门票', null, '花溪区', '青岩镇', '520111101'],
    ['花溪青岩镇的古镇门票', null, '花溪区', '青岩镇', '520111101'],
    ['遵义县的路', null, '播州区', null, '520304'],
    ['家住白云，楼下施工太吵', null, '白云区', null, '520113'],
    ['蓝天白云下的垃圾场', null, null, null, null],
    ['威宁县城停电两天', null, '威宁彝族回族苗族自治县', null, '520526'],
    ['忠县白石镇停水三天', null, null, null, null],
    ['小区停水三天', '南明区', '南明区', null, '520102'],
  ])('%s (channel %s) → %s / %s / %s', (text, channel, district, town, code) => {
    const locality = extractLocality(text, channel, guizhou);
    expect([locality.district, locality.town, locality.code]).toEqual([district, town, code]);
  });
});
