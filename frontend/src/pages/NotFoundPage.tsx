import { Button, Result } from "antd";
import { useNavigate } from "react-router";

export default function NotFoundPage() {
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title="Page not found"
      subTitle="This address does not lead to a Spendlens page."
      extra={
        <Button type="primary" onClick={() => navigate("/overview")}>
          Go to the overview
        </Button>
      }
    />
  );
}
