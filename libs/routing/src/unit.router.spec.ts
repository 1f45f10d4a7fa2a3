import { join } from 'node:path';
import { CATEGORIES, loadRoutingTable, parseRoutingTable } from './routing-table.config';
import { routeUnit } from './unit.router';

const table = parseRoutingTable(
  {
    categories: {
      劳动和社会保障: {
        template: '{district}人力资源和社会保障局',
        default: '重庆市人力资源和社会保障局',
        overrides: { 綦江区: '万盛经开区人力资源和社会保障局' },
      },
      纪检监察: { default: '重庆市纪委监委' },
      环境保护: { template: '{district}生态环境局' },
    },
  },
  'test-routing',
);

describe('routeUnit', () => {
  it.each([
    ['劳动和社会保障', '涪陵区', '涪陵区人力资源和社会保障局', 'template:劳动和社会保障'],
    [
      '劳动和社会保障',
      '綦江区',
      '万盛经开区人力资源和社会保障局',
      'override:劳动和社会保障@綦江区',
    ],
    ['劳动和社会保障', null, '重庆市人力资源和社会保障局', 'default:劳动和社会保障'],
    ['纪检监察', '涪陵区', '重庆市纪委监委', 'default:纪检监察'],
    ['环境保护', '石柱土家族自治县', '石柱土家族自治县生态环境局', 'template:环境保护'],
    ['环境保护', null, null, null],
    ['其他', '涪陵区', null, null],
    ['', null, null, null],
  ])('%s in %s → %s (%s)', (category, district, unit, rule) => {
    expect(routeUnit(category, district, table)).toEqual({ unit, rule });
  });

  describe('shipped config/routing.yaml', () => {
    const shipped = loadRoutingTable(join(__dirname, '..', '..', '..', 'config', 'routing.yaml'));

    it.each(CATEGORIES.map((category) => [category]))(
      '%s routes with and without a district',
      (category) => {
        const local = routeUnit(category, '涪陵区', shipped);
        const municipal = routeUnit(category, null, shipped);
        expect(local.unit).toContain('涪陵区');
        expect(local.rule).toBe(`template:${category}`);
        expect(municipal.unit).toMatch(/^(中共)?重庆市/);
        expect(municipal.rule).toBe(`default:${category}`);
      },
    );

    it.each([
      ['劳动和社会保障', '奉节县', '奉节县人力资源和社会保障局'],
      ['环境保护', '渝北区', '渝北区生态环境局'],
      ['城乡建设', '江津区', '江津区住房和城乡建设委员会'],
      ['交通运输', '忠县', '忠县交通局'],
    ])('%s in %s → %s', (category, district, unit) => {
      expect(routeUnit(category, district, shipped).unit).toBe(unit);
    });
  });
});
