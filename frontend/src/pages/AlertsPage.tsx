export default function AlertsPage() { return <div>AlertsPage</div>; }
