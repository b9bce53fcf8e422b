import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  await loadConfig();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
