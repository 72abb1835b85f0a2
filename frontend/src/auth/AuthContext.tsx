/** The session: who is signed in, sign-in and sign-out, and what happens on a 401. */
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchSession, login as apiLogin, logout as apiLogout, onUnauthorized, queryKeys } from "../api";
import type { User } from "../api/types";

interface AuthState {
  user: User | null;
  loading: boolean;
  error: unknown;
  signIn: (email: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
  refresh: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useQuery({
    queryKey: queryKeys.session,
    queryFn: fetchSession,
    staleTime: Infinity,
    retry: false,
  });

  const dropSession = useCallback(() => {
    queryClient.setQueryData(queryKeys.session, null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.session[0] });
  }, [queryClient]);

  // Any 401 (an expired session) ends the session; the route guard then shows the login page.
  useEffect(() => onUnauthorized(dropSession), [dropSession]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const user = await apiLogin(email, password);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.session[0] });
      queryClient.setQueryData(queryKeys.session, user);
      return user;
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await apiLogout();
    } finally {
      dropSession();
    }
  }, [dropSession]);

  const value = useMemo<AuthState>(
    () => ({
      user: session.data ?? null,
      loading: session.isPending,
      error: session.error,
      signIn,
      signOut,
      refresh: () => void session.refetch(),
    }),
    [session, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
