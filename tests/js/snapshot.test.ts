/**
 * The standalone HTML snapshot of a view drawn in the page: canvases become images through the
 * given function, SVG and text stay, no script and no external URL.
 */
import { escapeHtml } from '../../labextension/src/views/shared/html';
import { snapshotHtml } from '../../labextension/src/views/shared/snapshot';

const FAKE_PNG = 'data:image/png;base64,iVBORw0KGgoFAKE=';

function view(): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML =
    '<h4 class="dlviz-step-title">5. Scores</h4>' +
    '<div class="dlviz-formula">scores = Q·Kᵀ</div>' +
    '<canvas width="30" height="20" style="height: 40px" data-testid="m"></canvas>' +
    '<table><tr><td class="dlviz-cell" style="background: var(--jp-layout-color3, #999)">0.25</td></tr></table>' +
    '<select><option value="0">0: the</option><option value="1" selected>1: cat</option></select>' +
    '<button onclick="alert(1)">Download HTML</button>' +
    '<script>window.bad = 1;</script>' +
    '<a href="https://example.com/x">link</a>';
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  svg.setAttribute('class', 'dlviz-projection');
  const circle = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
  circle.setAttribute('cx', '10');
  circle.setAttribute('fill', 'rgb(1, 2, 3)');
  const text = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  text.textContent = 'cat';
  svg.append(circle, text);
  root.appendChild(svg);
  document.body.appendChild(root);
  return root;
}

describe('snapshotHtml', () => {
  it('is one offline document: images for canvases, SVG and text kept, no script, no URL', () => {
    const root = view();
    const seen: HTMLCanvasElement[] = [];
    const html = snapshotHtml(root, {
      title: 'Token <map> & "steps"',
      canvasToDataUrl: canvas => {
        seen.push(canvas);
        return FAKE_PNG;
      },
      css: '.dlviz-cell { color: var(--jp-ui-font-color1); }\n.x { background: url(https://example.com/a.png); }',
      readVariable: name =>
        name === '--jp-layout-color3' ? '#eeeeee' : name === '--jp-ui-font-color1' ? '#111' : ''
    });
    expect(seen).toEqual([root.querySelector('canvas')]);
    expect(html).toContain(`<img src="${FAKE_PNG}"`);
    expect(html).not.toContain('<canvas');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/onclick/i);
    expect(html).not.toContain('url(');
    expect(html).toContain('<svg');
    expect(html).toContain('<circle');
    expect(html).toContain('>cat</text>');
    expect(html).toContain('5. Scores');
    expect(html).toContain('scores = Q·Kᵀ');
    expect(html).toContain('0.25');
    // The picked option, as text; the button is gone.
    expect(html).toContain('1: cat');
    expect(html).not.toContain('<select');
    expect(html).not.toContain('Download HTML');
    // The theme variables the view uses, with their current values.
    expect(html).toContain('--jp-layout-color3: #eeeeee;');
    expect(html).toContain('--jp-ui-font-color1: #111;');
    expect(html).toContain('<title>Token &lt;map&gt; &amp; &quot;steps&quot;</title>');
    expect(html).not.toContain('<map>');
    // The live view is untouched.
    expect(root.querySelector('canvas')).not.toBeNull();
    expect(root.querySelector('script')).not.toBeNull();
  });

  it('takes several nodes, and a canvas whose image fails keeps no src', () => {
    const a = document.createElement('p');
    a.textContent = 'header';
    const b = document.createElement('div');
    b.appendChild(document.createElement('canvas'));
    const html = snapshotHtml([a, b], {
      title: 't',
      css: '',
      canvasToDataUrl: () => {
        throw new Error('no canvas');
      },
      readVariable: () => ''
    });
    expect(html).toContain('<p>header</p>');
    expect(html).toMatch(/<img width="300" height="150"/);
  });

  it('escapes text for HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'
    );
  });
});
