// Sign-in: pick yourself from the box's roster, then your PIN (keypad or keyboard).
import { useCallback, useState } from "preact/hooks";
import { api, SessionOut, Staff, token } from "./api";
import { Keypad, message, T, usePinKeys } from "./ui";

export function SignIn(props: { t: T; staff: Staff[]; boxDown: boolean; onSignedIn: (s: SessionOut) => void }) {
  const { t } = props;
  const [who, setWho] = useState<Staff | null>(null);
  const [pin, setPin] = useState("");
  const [error, setError] = useState("");
  const submit = useCallback(async () => {
    if (!who || !pin) return;
    try {
      const session = await api.signIn(who.user_id, pin);
      token.set(session.token ?? null);
      props.onSignedIn(session);
    } catch (err) {
      setPin("");
      setError(message(t, err));
    }
  }, [who, pin]);
  const back = useCallback(() => { setWho(null); setPin(""); setError(""); }, []);
  usePinKeys(who !== null, setPin, submit, back);
  if (!who) {
    return (
      <main class="signin">
        <h1>{t("signin.pick")}</h1>
        {props.staff.length === 0 && <p class="error" data-testid="signin-empty">{t(props.boxDown ? "signin.box_down" : "signin.none")}</p>}
        <div class="staff">
          {props.staff.map((s) => (
            <button key={s.user_id} class="staff-card" data-testid="staff" onClick={() => setWho(s)}>
              {s.display_name}
            </button>
          ))}
        </div>
      </main>
    );
  }
  return (
    <main class="signin">
      <h1>{t("signin.pin", { name: who.display_name })}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <Keypad t={t} value={pin} onChange={setPin} onEnter={submit} enterLabel={t("signin.enter")} />
      <button class="link" onClick={back}>{t("signin.back")} (Esc)</button>
    </main>
  );
}
