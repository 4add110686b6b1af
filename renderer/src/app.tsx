export function App() {
  return (
    <main>
      <h1>Errand</h1>
      <p>Errand turns agent work into a queue you can see and steer.</p>
    </main>
  );
}
