import { render } from 'preact';

function Popup() {
  return <main aria-label="CORS Lens summary">CORS Lens</main>;
}

render(<Popup />, document.getElementById('app')!);
