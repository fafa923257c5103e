// Learn: short, sourced pages on living with long-lasting pain. Static text in this
// module, so the service worker's precache makes every page work offline. Each page is
// at #learn/<slug>; #learn lists them. The text is written in our own words from the
// sources listed under each page (paraphrase, never quotation), at a reading age of
// about 12, and each page keeps to 150–300 words (tests/js/plan-records.test.mjs).

import { html, useEffect, useRef, useState } from '../html.js';

// body: a string is a paragraph, an array is a bulleted list.
export const TOPICS = [
  {
    slug: 'hurt-versus-harm',
    title: 'Hurt is not the same as harm',
    summary: 'Pain is real. But when pain lasts for months, it is a poor guide to how much damage there is.',
    body: [
      'Pain is your body’s alarm. When you cut your finger, the alarm goes off so that you protect it while it heals. That is useful.',
      'When pain goes on for months, the alarm system itself often becomes more sensitive. Nerves and the brain get better at making pain, a bit like a smoke alarm that goes off when you make toast. The pain is real — you are not imagining it — but it no longer tells you well how much damage there is.',
      'That is why hurt and harm are not the same thing. A movement can hurt without harming you. Scans often show changes, such as worn discs, in people who have no pain at all, so a change on a scan does not always explain pain.',
      'Many things turn the alarm up or down:',
      ['sleep and tiredness', 'stress, worry and low mood', 'how active you are', 'what you expect to happen'],
      'That is good news, because you can change some of these. Moving gently and often, a little more over time, helps the system calm down. Your clinician can tell you which movements are safe for you.',
    ],
    related: [['#pacing', 'Your pacing plans']],
    sources: [
      'Moseley GL, Butler DS. Explain Pain, 2nd edition. Noigroup Publications, 2013.',
      'Moseley GL, Butler DS. Fifteen years of explaining pain: the past, present, and future. Journal of Pain, 2015.',
      'Brinjikji W et al. Imaging features of spinal degeneration in people without symptoms: a systematic review. American Journal of Neuroradiology, 2015.',
      'NICE guideline NG193. Chronic pain (primary and secondary) in over 16s, 2021.',
    ],
  },
  {
    slug: 'pacing',
    title: 'Pacing: a set amount, not until it hurts',
    summary: 'Pacing means doing a planned amount of an activity, on good days and bad days, and building it up slowly.',
    body: [
      'Many people with long-lasting pain get caught in “boom and bust”. On a good day they do a lot, then pay for it with days of more pain and rest. Over time they manage less and less.',
      'Pacing breaks the pattern. You do an activity for a set amount, called your quota — for example 8 minutes of walking. Then you stop and rest, even if you feel you could do more. On a bad day you still do your quota if you safely can.',
      'The key rule: stop at the quota, not at the pain. Letting the clock or the count decide, instead of the pain, is called time-contingent pacing.',
      'How Pacewise sets a quota:',
      [
        'You try the activity on three separate days, until you need to stop. These are tolerance trials.',
        'Your first quota is about 80% of your average, so it is easy to reach.',
        'When you meet the quota on at least 5 of the last 7 days without a flare-up, the app suggests raising it by about 10%. You decide.',
        'In a flare-up the quota drops to a comfortable level, then climbs again step by step.',
      ],
      'Small, steady steps add up. Progress is measured by what you can do, not only by how much it hurts.',
    ],
    related: [['#pacing', 'Your pacing plans'], ['#learn/flare-ups', 'Flare-ups']],
    sources: [
      'Nielson WR, Jensen MP, Karsdorp PA, Vlaeyen JWS. Activity pacing in chronic pain: concepts, evidence, and future directions. Clinical Journal of Pain, 2013.',
      'Fordyce WE. Behavioral Methods for Chronic Pain and Illness. Mosby, 1976 (quota-based activity).',
      'NICE guideline NG193. Chronic pain (primary and secondary) in over 16s, 2021.',
    ],
  },
  {
    slug: 'flare-ups',
    title: 'Flare-ups',
    summary: 'A flare-up is a time when pain is much worse than usual for a while. Flare-ups are common, and they pass.',
    body: [
      'Almost everyone with long-lasting pain has flare-ups. They can follow doing too much, poor sleep, stress or an illness, or come for no clear reason. A flare-up feels frightening, but it does not usually mean new damage.',
      'Soreness is not a flare-up. When you start doing more, some extra soreness is expected. Soreness that settles within an hour is normal and is not a flare-up: keep to your plan.',
      'When a flare-up comes:',
      [
        'Open your flare plan. You wrote it on a good day, for a day like this.',
        'Keep moving gently. Long bed rest usually makes things worse.',
        'Drop your quotas to your flare level for a few days rather than stopping.',
        'Use what calms you: warmth, a shower, slow breathing, relaxation, something to take your mind off it.',
        'Be kind to yourself. A flare-up is a setback, not a failure.',
      ],
      'As it settles, build back up step by step, as your plan says. Afterwards, look back: was there a trigger you can plan for next time?',
      'Some symptoms are not a flare-up and need help now. Check the red flags.',
    ],
    related: [['#flare-plan', 'Your flare plan'], ['#red-flags', 'Red flags']],
    sources: [
      'Nielson WR et al. Activity pacing in chronic pain: concepts, evidence, and future directions. Clinical Journal of Pain, 2013.',
      'NICE guideline NG59. Low back pain and sciatica in over 16s, 2016 (updated 2020): stay active, self-management.',
      'Moore P. The Pain Toolkit: have a set-back plan. paintoolkit.org, first published 2002.',
    ],
  },
  {
    slug: 'sleep',
    title: 'Sleep and pain',
    summary: 'Pain can spoil sleep, and poor sleep can make pain feel worse. Steady habits help break the circle.',
    body: [
      'Pain and sleep affect each other. After a bad night, pain often feels stronger the next day, and pain can keep you awake. Working on sleep is a real part of a pain plan.',
      'Things that help many people:',
      [
        'Get up at the same time every day, weekends too, even after a bad night.',
        'Have a wind-down hour: dim the lights and do something calm, such as a bath, reading or quiet music.',
        'Keep the bed for sleep. Leave screens out of bed, and keep the bedroom dark, quiet and cool.',
        'Cut down on caffeine after midday, and avoid alcohol and big meals late in the evening.',
        'Get daylight and some movement in the day. Keep naps short and early, or skip them.',
        'If you are still awake after about 20 minutes, get up, do something calm in dim light, and go back to bed when sleepy.',
      ],
      'Changes take a few weeks to work. You can add these as routines under Treatments and routines and tick them off each day.',
      'If poor sleep goes on for months, talk to your care team. A talking therapy for insomnia, called CBT-I, helps many people.',
    ],
    related: [['#treatments', 'Treatments and routines']],
    sources: [
      'Finan PH, Goodin BR, Smith MT. The association of sleep and pain: an update and a path forward. Journal of Pain, 2013.',
      'NHS. Insomnia, and How to get to sleep. nhs.uk (read 2026).',
      'Harvard Medical School, Division of Sleep Medicine. Twelve simple tips to improve your sleep. Healthy Sleep, 2007.',
    ],
  },
  {
    slug: 'staying-active',
    title: 'Staying active',
    summary: 'Moving regularly is one of the best-proven ways to live well with long-lasting pain.',
    body: [
      'When something hurts, resting feels right. With long-lasting pain, though, too much rest makes muscles weaker and joints stiffer, and pain can get worse over time. Exercise is one of the main treatments NICE recommends for chronic pain.',
      'Any movement counts: walking, swimming, gardening, dancing, housework, a class, or the exercises your physiotherapist gave you. The best activity is one you enjoy and can keep doing.',
      'The World Health Organization suggests that adults build up to 150–300 minutes a week of moderate activity (you breathe faster but can still talk), and muscle-strengthening on 2 or more days. It also says that some activity is better than none, and that people with long-term conditions should do what they can and build up from there.',
      'Start low and go slow:',
      [
        'Begin below what you think you can do, with a pacing quota.',
        'Raise it in small steps, about once a week.',
        'Break up long spells of sitting: stand or move for a minute or two.',
        'Expect some soreness at first. It shows your body is getting used to more, not that you are harming it.',
      ],
      'Ask your care team which activities suit you, especially if you have other health conditions.',
    ],
    related: [['#pacing', 'Your pacing plans'], ['#goals', 'Your goals']],
    sources: [
      'World Health Organization. WHO guidelines on physical activity and sedentary behaviour, 2020.',
      'NICE guideline NG193. Chronic pain (primary and secondary) in over 16s, 2021: supervised group exercise programmes.',
      'NICE guideline NG59. Low back pain and sciatica in over 16s, 2016 (updated 2020): exercise programmes.',
    ],
  },
];

const BY_SLUG = Object.fromEntries(TOPICS.map((topic) => [topic.slug, topic]));

/** The topic named after `#learn/` in a hash: its slug, '' for the list, or null when the hash is elsewhere. */
export function topicOf(hash) {
  const path = decodeURIComponent(String(hash ?? '').replace(/^#\/?/, '')).split('?')[0];
  const [screen, slug = ''] = path.split('/');
  return screen === 'learn' ? slug : null;
}

export function LearnScreen() {
  const [slug, setSlug] = useState(() => topicOf(location.hash) ?? '');
  const heading = useRef(null);
  const moved = useRef(false);
  useEffect(() => {
    const onHash = () => {
      const next = topicOf(location.hash);
      if (next === null) return;
      moved.current = true;
      setSlug(next);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const topic = BY_SLUG[slug];
  useEffect(() => {
    document.title = topic ? `${topic.title} · Learn · Pacewise` : 'Learn · Pacewise';
    // A new page inside Learn: move focus to its heading, as a screen change does.
    if (moved.current) {
      heading.current?.focus();
      window.scrollTo(0, 0);
    }
  }, [slug]);
  return topic ? html`<${TopicPage} topic=${topic} heading=${heading} />`
    : html`<${TopicList} heading=${heading} missing=${slug} />`;
}

function TopicList({ heading, missing }) {
  return html`
    <h1 tabindex="-1" ref=${heading}>Learn</h1>
    ${missing && html`<p class="error">There is no page called “${missing}”. Here are all of them.</p>`}
    <p>Short pages to read at your own pace, each with the sources it is based on. They work offline.</p>
    <p class="card">Pacewise gives no diagnosis. These pages explain ideas that help many people
      with long-lasting pain; they cannot say what causes your pain or what is right for you. Your
      clinician can. If something new or worrying happens, see the <a href="#red-flags">Red flags</a>.</p>
    <ul class="plain learn-topics">
      ${TOPICS.map((topic) => html`
        <li key=${topic.slug}>
          <a href=${`#learn/${topic.slug}`}>${topic.title}</a>
          <p class="hint">${topic.summary}</p>
        </li>`)}
    </ul>`;
}

function TopicPage({ topic, heading }) {
  const index = TOPICS.indexOf(topic);
  const next = TOPICS[(index + 1) % TOPICS.length];
  return html`
    <p class="links"><a href="#learn">All Learn pages</a></p>
    <h1 tabindex="-1" ref=${heading}>${topic.title}</h1>
    <div class="learn-page">
      <p class="lead">${topic.summary}</p>
      ${topic.body.map((part, i) => (Array.isArray(part)
        ? html`<ul key=${i}>${part.map((item, j) => html`<li key=${j}>${item}</li>`)}</ul>`
        : html`<p key=${i}>${part}</p>`))}
      ${topic.related.length > 0 && html`
        <p class="links">${topic.related.map(([href, label]) => html`<a key=${href} href=${href}>${label}</a>`)}</p>`}
      <h2 id="learn-sources">Sources</h2>
      <ul class="learn-sources">${topic.sources.map((source, i) => html`<li key=${i}>${source}</li>`)}</ul>
      <p class="hint">Written in our own words from these sources. Pacewise gives no diagnosis.</p>
    </div>
    <p class="links"><a href=${`#learn/${next.slug}`}>Next: ${next.title}</a></p>`;
}
