import { join } from 'node:path';
import { assessUrgency } from './urgency.assessor';
import { loadUrgencyLexicon, parseUrgencyLexicon } from './urgency.config';

const lexicon = parseUrgencyLexicon(
  {
    flags: {
      'self-harm': { priority: 'urgent', terms: ['跳楼', '不想活'] },
      'safety-hazard': { priority: 'high', terms: ['安全隐患', '危房'], negatable: true },
      'wage-arrears': { priority: 'high', terms: ['欠薪'] },
    },
    negations: ['没有', '无'],
    stopPhrases: ['危房改造'],
  },
  'test-urgency',
);

describe('assessUrgency (test lexicon)', () => {
  it.each([
    ['小区路灯不亮', 'normal', []],
    ['老板欠薪三个月', 'high', ['wage-arrears']],
    ['被欠薪的工人说不想活了', 'urgent', ['self-harm', 'wage-arrears']],
    ['楼道堆满杂物，有安全隐患', 'high', ['safety-hazard']],
    ['检查后没有安全隐患', 'normal', []],
    ['无安全隐患', 'normal', []],
    ['没有人管，安全隐患很大', 'high', ['safety-hazard']],
    ['没有跳楼，但他说了三次', 'urgent', ['self-harm']],
    ['申请危房改造补贴', 'normal', []],
    ['申请危房改造补贴，现在住的是危房', 'high', ['safety-hazard']],
    ['欠薪欠薪欠薪', 'high', ['wage-arrears']],
    ['工人揚言跳樓討說法', 'urgent', ['self-harm']],
  ])('%s → %s %j', (text, priority, flags) => {
    const urgency = assessUrgency(text, lexicon);
    expect({ priority: urgency.priority, flags: urgency.flags }).toEqual({ priority, flags });
  });
});

describe('assessUrgency (shipped config/urgency.yaml)', () => {
  const shipped = loadUrgencyLexicon(join(__dirname, '..', '..', '..', 'config', 'urgency.yaml'));

  it.each([
    ['楼下邻居持刀威胁我们', 'high', ['violence']],
    ['他说不想活了要去跳楼', 'urgent', ['self-harm']],
    ['工地拖欠工资，工人准备集体上访', 'high', ['mass-gathering', 'wage-arrears']],
    ['单元楼燃气泄漏，老人有生命危险', 'urgent', ['threat-to-life', 'safety-hazard']],
    ['学校里发热的学生很多，怀疑是传染病', 'high', ['epidemic']],
    ['學校發熱學生很多，疑似傳染病', 'high', ['epidemic']],
    ['村民堵路拉横幅讨薪', 'high', ['mass-gathering', 'wage-arrears']],
    ['经过排查没有安全隐患', 'normal', []],
    ['请拨打人工服务电话', 'normal', []],
    ['轮胎漏气了去哪里补', 'normal', []],
    ['居民聚集区的垃圾站太臭', 'normal', []],
    ['建议增加公交班次', 'normal', []],
  ])('%s → %s %j', (text, priority, flags) => {
    const urgency = assessUrgency(text, shipped);
    expect({ priority: urgency.priority, flags: urgency.flags }).toEqual({ priority, flags });
  });
});
