// Preact with htm's tagged templates: JSX-like views without a build step.

import { Fragment, createContext, h, render } from '../vendor/preact-10.29.8.module.js';
import {
  useCallback, useContext, useEffect, useMemo, useRef, useState,
} from '../vendor/preact-hooks-10.29.8.module.js';
import htm from '../vendor/htm-3.1.1.module.js';

export const html = htm.bind(h);
export {
  Fragment, createContext, h, render, useCallback, useContext, useEffect, useMemo, useRef, useState,
};
