/** Session: login, who am I, logout, change password. */
import { ApiError, http, request, setCsrfToken } from "./client";
import type { Session, User } from "./types";

/** The signed-in user, or null when there is no session (401). */
export async function fetchSession(): Promise<User | null> {
  try {
    const session = await request<Session>("GET", "/api/auth/me", { expectUnauthorized: true });
    setCsrfToken(session.csrf_token ?? null);
    return session.user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export async function login(email: string, password: string): Promise<User> {
  const session = await request<Session>("POST", "/api/auth/login", {
    body: { email, password },
    expectUnauthorized: true,
  });
  setCsrfToken(session.csrf_token ?? null);
  return session.user;
}

export async function logout(): Promise<void> {
  try {
    await request<void>("POST", "/api/auth/logout", { body: {}, expectUnauthorized: true });
  } finally {
    setCsrfToken(null);
  }
}

export function changePassword(current_password: string, new_password: string): Promise<unknown> {
  return http.post("/api/auth/password", { current_password, new_password });
}
