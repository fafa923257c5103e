// The phone's domain rules against the same JSON vectors as the server's
// (tests/services/test_rules.py): every vector must give an identical answer on both sides.
// Run with `node --test tests/js/`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  availableInstruments,
  gasTScore,
  goalProblems,
  goalProgress,
  pacingBaseline,
  psfsChange,
  scoreAnswers,
  suggestQuota,
} from '../../app/static/js/rules/index.js';

const vectors = (name) => JSON.parse(
  readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8'));

const score = (instrument) => (input) => scoreAnswers(
  input.instrument ?? instrument, input.answers);

const RULES = {
  peg: score('peg'),
  psfs: score('psfs'),
  phq2: score('phq2'),
  gad2: score('gad2'),
  pgic: score('pgic'),
  instruments: (input) => availableInstruments(input.enabled).map((instrument) => instrument.id),
  gas: (input) => gasTScore(input.goals),
  psfs_change: (input) => psfsChange(input),
  pacing_baseline: (input) => pacingBaseline(input),
  pacing_suggestion: (input) => suggestQuota(input),
  goal_progress: (input) => goalProgress(input),
  goal_problems: (input) => goalProblems(input.goal, { start: input.start }),
};

for (const [file, rule] of Object.entries(RULES)) {
  describe(file, () => {
    const cases = vectors(file);
    test('has vectors', () => assert.ok(cases.length > 0));
    for (const vector of cases) {
      test(vector.name, () => {
        if ('expected_error' in vector) {
          assert.throws(() => rule(vector.input), (error) => {
            assert.ok(error instanceof Error);
            const wanted = vector.expected_error;
            assert.ok(error.message.includes(wanted),
              `${JSON.stringify(error.message)} does not contain ${JSON.stringify(wanted)}`);
            return true;
          });
        } else {
          assert.deepEqual(rule(vector.input), vector.expected);
        }
      });
    }
  });
}

describe('instrument wording', () => {
  test('every instrument carries its source and licence note', () => {
    for (const instrument of availableInstruments(['peg', 'psfs', 'phq2', 'gad2', 'pgic'])) {
      assert.ok(instrument.source.length > 20, instrument.id);
      assert.ok(instrument.licence.length > 10, instrument.id);
      assert.ok(instrument.items.every((item) => item.text && item.anchors.length >= 2),
        instrument.id);
    }
  });

  test('no restricted instrument is ever offered', () => {
    const asked = ['peg', 'psfs', 'phq2', 'gad2', 'pgic', 'bpi', 'odi', 'pcs', 'pseq'];
    const ids = availableInstruments(asked).map((instrument) => instrument.id);
    assert.deepEqual(ids, ['peg', 'psfs', 'phq2', 'gad2', 'pgic']);
  });
});
