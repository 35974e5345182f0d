import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api';
import { CallPage } from './pages/Call';
import { CallsListPage } from './pages/Calls';
import { OverviewPage } from './pages/Overview';
import { SignIn } from './pages/SignIn';
import { Link, navigate, useRoute } from './router';
import './style.css';

function Page(props: { path: string }) {
  const call = /^\/calls\/(\d+)\/?$/.exec(props.path);
  if (call) return <CallPage key={call[1]} callId={Number(call[1])} />;
  if (/^\/calls\/?$/.test(props.path)) return <CallsListPage />;
  if (props.path === '/' || props.path === '/overview') return <OverviewPage />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        No page at this address. <Link href="/">Back to the overview</Link>
      </p>
    </main>
  );
}

function App() {
  const path = useRoute();
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const [notice, setNotice] = useState('');

  useEffect(
    () =>
      session.onSignedOut((reason) => {
        setSignedIn(false);
        setNotice(reason ? `Signed out: ${reason}. Paste a new token.` : 'Signed out.');
      }),
    [],
  );

  useEffect(() => {
    document.title = `${signedIn ? (path.startsWith('/calls/') ? 'Call' : path.startsWith('/calls') ? 'Calls' : 'Overview') : 'Sign in'} · Ikoota calling admin`;
  }, [path, signedIn]);

  if (!signedIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={() => {
          setNotice('');
          setSignedIn(true);
        }}
      />
    );
  }
  const section = path.startsWith('/calls') ? 'calls' : 'overview';
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="bar">
        <span class="brand">Ikoota calling · admin</span>
        <nav aria-label="Sections">
          <Link href="/" aria-current={section === 'overview' ? 'page' : undefined}>
            Overview
          </Link>
          <Link href="/calls" aria-current={section === 'calls' ? 'page' : undefined}>
            Calls
          </Link>
        </nav>
        <button
          type="button"
          class="secondary small"
          onClick={() => {
            session.signOut();
            setNotice('');
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      <div id="content" tabIndex={-1}>
        <Page path={path} />
      </div>
    </>
  );
}

render(<App />, document.getElementById('app')!);
