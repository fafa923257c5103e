// Red flags: when to get help now. Static text, so it is always there offline.

import { html } from '../html.js';

export function RedFlagsScreen() {
  return html`
    <h1 tabindex="-1">Red flags: get help now</h1>
    <p class="callout"><strong>Contact your clinician or emergency services now</strong> if you have any of these:</p>
    <ul class="red-flags">
      <li>New weakness, numbness or tingling in your legs or arms, or numbness around your genitals, buttocks or inner thighs</li>
      <li>Loss of bladder or bowel control, or new trouble passing urine</li>
      <li>Fever or feeling very unwell together with back pain</li>
      <li>Weight loss you cannot explain</li>
      <li>Severe pain after a fall, accident or other injury</li>
    </ul>
    <p><strong>If it is sudden or severe, call your local emergency number now.</strong> Do not wait for the app to sync or for your next appointment.</p>
    <p>Pacewise gives no diagnosis. It cannot tell whether a symptom is serious; your clinician can.</p>
    <p><a href="#flare-plan">Back to your flare plan</a></p>`;
}
