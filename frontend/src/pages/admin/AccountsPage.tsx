export default function AccountsPage() { return <div>AccountsPage</div>; }
