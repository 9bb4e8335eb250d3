import { useQuery } from '@tanstack/react-query';
import { formatCredits } from '../../lib/format.ts';
import { setApiKey } from '../../utils/auth.ts';
import { useTRPC } from '../../utils/trpc.ts';

/** Who is signed in, their plan and balance, and the sign-out button. */
export function AccountMenu() {
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.me.get.queryOptions(), refetchInterval: 10_000 });
  return (
    <div className="account">
      {me.data ? (
        <>
          <span className="who">{me.data.user.name || me.data.user.id}</span>
          <span className="badge info">{me.data.plan.label}</span>
          <span data-testid="balance">{formatCredits(me.data.balance)}</span>
        </>
      ) : null}
      <button type="button" className="btn btn-sm btn-ghost" onClick={() => setApiKey(null)}>
        Sign out
      </button>
    </div>
  );
}
