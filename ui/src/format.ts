//! Small display formatters (deterministic: no locale surprises in tests or screenshots).

export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatPrice(p: number | null | undefined): string {
  return p == null ? "" : `$${p < 0.1 ? p.toFixed(3) : p.toFixed(2)}`;
}

export function modelShort(id: string): string {
  if (id.includes("3.1-flash")) return "3.1 Flash";
  if (id.includes("3-pro")) return "3 Pro";
  if (id.includes("2.5-flash")) return "2.5 Flash";
  return id;
}
