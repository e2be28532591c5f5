import type { SectionBlock } from '@slack/web-api';
import { FIXTURE_DIGEST } from './__testUtils__/digestWeek';
import type { WeeklyDigest } from './weeklyDigest';
import {
  formatDuration,
  p95Change,
  weeklyDigestNotification,
  weeklyDigestSlackMessage,
} from './weeklyDigestMessage';

const MINUTE = 60_000;

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [4 * MINUTE + 12_000, '4 min 12 s'],
    [5 * MINUTE, '5 min'],
    [125 * MINUTE, '2 h 5 min'],
    [76 * 60 * MINUTE, '3 d 4 h'],
    [48 * 60 * MINUTE, '2 d'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('p95Change', () => {
  it.each([
    [{ week: 5 * MINUTE, previousWeek: 4 * MINUTE }, '+1 min (+25%)'],
    [{ week: 3 * MINUTE, previousWeek: 4 * MINUTE }, '−1 min (−25%)'],
    [{ week: 4 * MINUTE, previousWeek: 4 * MINUTE }, 'no change'],
    [{ week: 4 * MINUTE, previousWeek: null }, '—'],
    [{ week: null, previousWeek: 4 * MINUTE }, '—'],
  ])('%j reads %s', (p95, text) => {
    expect(p95Change(p95)).toBe(text);
  });
});

const sectionTexts = (
  blocks: ReturnType<typeof weeklyDigestSlackMessage>['blocks'],
) =>
  blocks
    .filter((b): b is SectionBlock => b.type === 'section')
    .flatMap(b => [b.text, ...(b.fields ?? [])])
    .flatMap(t => (t ? [t.text] : []));

describe('weeklyDigestSlackMessage', () => {
  it("escapes a check's and an entity's <, > and & in mrkdwn and the fallback, not in the header's plain text or the bell", () => {
    const digest: WeeklyDigest = {
      ...FIXTURE_DIGEST,
      entityRef: 'component:default/a<b>&c',
      worstIncidents: [
        { ...FIXTURE_DIGEST.worstIncidents[0], checkName: '<!channel> & <x>' },
      ],
    };
    const { text, blocks } = weeklyDigestSlackMessage(digest, undefined);
    // A header is plain text: Slack parses neither mentions nor links in it.
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Weekly digest: a<b>&c' },
    });
    const mrkdwn = JSON.stringify(blocks.slice(1)) + text;
    expect(mrkdwn).not.toMatch(/<!channel>|<x>|a<b>/);
    expect(sectionTexts(blocks).at(-1)).toBe(
      '*Worst incidents*\n• *&lt;!channel&gt; &amp; &lt;x&gt;*: down, opened 2026-12-06 20:00 UTC, 13 h, still open',
    );
    expect(blocks[1]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '2026-11-30 – 2026-12-06 (UTC) · component:default/a&lt;b&gt;&amp;c',
        },
      ],
    });
    expect(text).toContain(
      '"&lt;!channel&gt; &amp; &lt;x&gt;": down, opened 2026-12-06 20:00 UTC',
    );
    expect(text.split('\n')[0]).toBe(
      'Weekly digest: a&lt;b&gt;&amp;c, 2026-11-30 – 2026-12-06',
    );
    expect(weeklyDigestNotification(digest).description).toContain(
      '"<!channel> & <x>": down',
    );
  });

  it("stays within Slack's limits with the longest names, all escaped", () => {
    const long = '<'.repeat(300);
    const digest: WeeklyDigest = {
      ...FIXTURE_DIGEST,
      entityRef: `component:default/${long}`,
      worstIncidents: Array.from({ length: 3 }, () => ({
        ...FIXTURE_DIGEST.worstIncidents[0],
        checkName: long,
      })),
    };
    const { blocks } = weeklyDigestSlackMessage(
      digest,
      'https://backstage.test/catalog/default/component/x/opshub',
    );
    expect(blocks.length).toBeLessThanOrEqual(50);
    const header = blocks[0];
    expect(
      header.type === 'header' && header.text.text.length,
    ).toBeLessThanOrEqual(150);
    for (const section of sectionTexts(blocks)) {
      expect(section.length).toBeLessThanOrEqual(3000);
    }
  });

  it('says so without incidents or figures, and has no button without the app URL', () => {
    const digest: WeeklyDigest = {
      ...FIXTURE_DIGEST,
      deploys: 0,
      successRate: null,
      totalTimeP95Ms: { week: null, previousWeek: null },
      topErrorClasses: [],
      worstIncidents: [],
    };
    const { text, blocks } = weeklyDigestSlackMessage(digest, undefined);
    expect(blocks.map(b => b.type)).toEqual([
      'header',
      'context',
      'section',
      'section',
      'section',
    ]);
    expect(sectionTexts(blocks)).toEqual(
      expect.arrayContaining([
        '*Success rate*\n—',
        '*P95 total time*\n—',
        '*P95 vs previous week*\n—',
        '*Top error classes*\nnone',
        '*Worst incidents*\nNo incidents this week.',
      ]),
    );
    expect(text).toContain('\nNo incidents this week.');
    expect(weeklyDigestNotification(digest).severity).toBe('low');
  });
});
