export default function CohortsPage() { return <div>CohortsPage</div>; }
