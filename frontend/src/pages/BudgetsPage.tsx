export default function BudgetsPage() { return <div>BudgetsPage</div>; }
