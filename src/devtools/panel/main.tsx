import { render } from 'preact';

function Panel() {
  return <main aria-label="CORS Lens panel">CORS Lens</main>;
}

render(<Panel />, document.getElementById('app')!);
