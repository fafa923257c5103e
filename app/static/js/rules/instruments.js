// The wording of each free-to-use questionnaire, with its source and licence note: what the
// phone renders, offline. The same data as INSTRUMENTS in app/services/scoring.py, where the
// sources are discussed; tests/services/test_rules.py checks that the two are equal, so
// change them together. Restricted instruments (Brief Pain Inventory, Oswestry, Pain
// Catastrophizing Scale, PSEQ) are never added.

export const INSTRUMENTS = {
  peg: {
    id: "peg",
    name: "PEG",
    title: "Pain, enjoyment of life and general activity",
    instructions: "Choose the number that best describes the past week.",
    items: [
      {
        key: "pain",
        kind: "scale",
        min: 0,
        max: 10,
        text: "What number best describes your pain on average in the past week?",
        anchors: [
          { value: 0, text: "No pain" },
          { value: 10, text: "Pain as bad as you can imagine" },
        ],
      },
      {
        key: "enjoyment",
        kind: "scale",
        min: 0,
        max: 10,
        text: "What number best describes how, during the past week, pain has interfered with "
                + "your enjoyment of life?",
        anchors: [
          { value: 0, text: "Does not interfere" },
          { value: 10, text: "Completely interferes" },
        ],
      },
      {
        key: "activity",
        kind: "scale",
        min: 0,
        max: 10,
        text: "What number best describes how, during the past week, pain has interfered with "
                + "your general activity?",
        anchors: [
          { value: 0, text: "Does not interfere" },
          { value: 10, text: "Completely interferes" },
        ],
      },
    ],
    scoring: "The mean of the three answers, 0–10; lower is better.",
    source: "Krebs EE, Lorenz KA, Bair MJ, et al. Development and initial validation of the "
              + "PEG, a three-item scale assessing pain intensity and interference. J Gen Intern "
              + "Med 2009;24(6):733–738.",
    licence: "Published for clinical use. It is derived from the Brief Pain Inventory, so its "
               + "licence status is debated; this server's administrator can switch it off "
               + "(PACEWISE_INSTRUMENTS).",
    codes: { loinc_panel: "91148-7", loinc_score: "91147-9" },
  },
  psfs: {
    id: "psfs",
    name: "PSFS",
    title: "Patient-Specific Functional Scale",
    instructions: "Name up to five important activities that you are unable to do, or find "
                    + "hard to do, because of your problem. Rate how able you are to do each one "
                    + "today.",
    items: [
      {
        key: "activities",
        kind: "activities",
        min: 0,
        max: 10,
        min_count: 1,
        max_count: 5,
        text: "Today, how able are you to do this activity?",
        anchors: [
          { value: 0, text: "Unable to do the activity" },
          { value: 10, text: "Able to do the activity at the same level as before the problem" },
        ],
      },
    ],
    scoring: "The mean of the activity ratings, 0–10; higher is better. A change of 2 points "
               + "in the mean, or 3 in one activity, is more than measurement noise.",
    source: "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and change on "
              + "individual patients: a report of a patient specific measure. Physiotherapy "
              + "Canada 1995;47(4):258–263.",
    licence: "Free to use; no permission is needed.",
    codes: {},
  },
  phq2: {
    id: "phq2",
    name: "PHQ-2",
    title: "Patient Health Questionnaire-2",
    instructions: "Over the last 2 weeks, how often have you been bothered by the following?",
    items: [
      {
        key: "interest",
        kind: "scale",
        min: 0,
        max: 3,
        text: "Little interest or pleasure in doing things",
        anchors: [
          { value: 0, text: "Not at all" },
          { value: 1, text: "Several days" },
          { value: 2, text: "More than half the days" },
          { value: 3, text: "Nearly every day" },
        ],
      },
      {
        key: "mood",
        kind: "scale",
        min: 0,
        max: 3,
        text: "Feeling down, depressed, or hopeless",
        anchors: [
          { value: 0, text: "Not at all" },
          { value: 1, text: "Several days" },
          { value: 2, text: "More than half the days" },
          { value: 3, text: "Nearly every day" },
        ],
      },
    ],
    scoring: "The sum of the two answers, 0–6. A score of 3 or more suggests talking to your "
               + "care team; it is a screen, not a diagnosis.",
    source: "Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: "
              + "validity of a two-item depression screener. Med Care 2003;41(11):1284–1292.",
    licence: "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
               + "colleagues, with an educational grant from Pfizer Inc. No permission is "
               + "required to reproduce, translate, display or distribute.",
    codes: {},
  },
  gad2: {
    id: "gad2",
    name: "GAD-2",
    title: "Generalized Anxiety Disorder-2",
    instructions: "Over the last 2 weeks, how often have you been bothered by the following?",
    items: [
      {
        key: "nervous",
        kind: "scale",
        min: 0,
        max: 3,
        text: "Feeling nervous, anxious or on edge",
        anchors: [
          { value: 0, text: "Not at all" },
          { value: 1, text: "Several days" },
          { value: 2, text: "More than half the days" },
          { value: 3, text: "Nearly every day" },
        ],
      },
      {
        key: "worry",
        kind: "scale",
        min: 0,
        max: 3,
        text: "Not being able to stop or control worrying",
        anchors: [
          { value: 0, text: "Not at all" },
          { value: 1, text: "Several days" },
          { value: 2, text: "More than half the days" },
          { value: 3, text: "Nearly every day" },
        ],
      },
    ],
    scoring: "The sum of the two answers, 0–6. A score of 3 or more suggests talking to your "
               + "care team; it is a screen, not a diagnosis.",
    source: "Kroenke K, Spitzer RL, Williams JBW, Monahan PO, Löwe B. Anxiety disorders in "
              + "primary care: prevalence, impairment, comorbidity, and detection. Ann Intern Med "
              + "2007;146(5):317–325.",
    licence: "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
               + "colleagues, with an educational grant from Pfizer Inc. No permission is "
               + "required to reproduce, translate, display or distribute.",
    codes: {},
  },
  pgic: {
    id: "pgic",
    name: "PGIC",
    title: "Patient Global Impression of Change",
    instructions: "Since you started this plan, how would you describe the change (if any) in "
                    + "your activity limitations, symptoms, emotions and overall quality of life, "
                    + "related to your painful condition?",
    items: [
      {
        key: "change",
        kind: "choice",
        min: 1,
        max: 7,
        text: "Choose the description that fits best.",
        anchors: [
          { value: 1, text: "No change (or my condition has got worse)" },
          { value: 2, text: "Almost the same, hardly any change at all" },
          { value: 3, text: "A little better, but no noticeable change" },
          { value: 4, text: "Somewhat better, but the change has not made any real difference" },
          { value: 5, text: "Moderately better, and a slight but noticeable change" },
          {
            value: 6,
            text: "Better, and a definite improvement that has made a real and worthwhile "
                    + "difference",
          },
          {
            value: 7,
            text: "A great deal better, and a considerable improvement that has made all the "
                    + "difference",
          },
        ],
      },
    ],
    scoring: "One answer, 1–7; higher is better.",
    source: "Hurst H, Bolton J. Assessing the clinical significance of change scores recorded "
              + "on subjective outcome measures. J Manipulative Physiol Ther 2004;27(1):26–35; "
              + "adapted from Guy W. ECDEU Assessment Manual for Psychopharmacology, US DHEW 1976 "
              + "(Clinical Global Impression).",
    licence: "Free to use: Guy's scale is a US government publication in the public domain; "
               + "the wording follows Hurst and Bolton, with \"since beginning treatment at this "
               + "clinic\" changed to \"since you started this plan\".",
    codes: {},
  },
};

/** The gentle prompt shown when a PHQ-2 or GAD-2 sum is 3 or more. */
export const PROMPTS = {
  phq2: "Your answers suggest it may help to talk to your care team about how your mood has "
          + "been. This is not a diagnosis.",
  gad2: "Your answers suggest it may help to talk to your care team about feeling anxious or "
          + "worried. This is not a diagnosis.",
};

/**
 * The wording of each instrument switched on for this instance, in the canonical order;
 * `enabled` is the list of instrument ids the server reports (PACEWISE_INSTRUMENTS).
 */
export function availableInstruments(enabled) {
  const on = new Set(enabled);
  return Object.values(INSTRUMENTS).filter((instrument) => on.has(instrument.id));
}
