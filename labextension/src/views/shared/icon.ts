import { LabIcon } from '@jupyterlab/ui-components';

/**
 * The DL Viz icon: a small network of neurons, themed through the jp-icon3 class.
 * Inlined (style/icons/dlviz.svg is the same picture) so lib/ needs no asset loader.
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <g class="jp-icon3" fill="#616161" stroke="#616161">
    <path fill="none" stroke-width="0.8" d="M3 3.5 L8 8 L13 4 M3 8 L8 8 L13 12 M3 12.5 L8 8 M3 3.5 L13 12 M3 12.5 L13 4"/>
    <circle cx="3" cy="3.5" r="1.6" stroke="none"/>
    <circle cx="3" cy="8" r="1.6" stroke="none"/>
    <circle cx="3" cy="12.5" r="1.6" stroke="none"/>
    <circle cx="8" cy="8" r="1.9" stroke="none"/>
    <circle cx="13" cy="4" r="1.6" stroke="none"/>
    <circle cx="13" cy="12" r="1.6" stroke="none"/>
  </g>
</svg>`;

export const dlvizIcon = new LabIcon({ name: 'dlviz-lab:icon', svgstr: SVG });
