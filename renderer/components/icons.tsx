/** Small inline icons. Always paired with text: state is never shown by colour or shape alone. */
const base = { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': true, focusable: false } as const;

export function AlertIcon() {
  return (
    <svg {...base} className="icon icon-alert">
      <path d="M8 1.5 15 14H1L8 1.5Z" fill="currentColor" />
      <path d="M7.2 6h1.6v4.2H7.2zM7.2 11.2h1.6v1.6H7.2z" className="icon-cut" />
    </svg>
  );
}

export function CheckIcon() {
  return (
    <svg {...base} className="icon icon-check">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="m4.6 8.2 2.2 2.2 4.6-4.8" fill="none" strokeWidth="1.8" className="icon-cut-stroke" />
    </svg>
  );
}

export function DoneIcon() {
  return (
    <svg {...base} className="icon icon-done">
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="m5 8.2 2 2 4-4.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}

export function ClockIcon() {
  return (
    <svg {...base} className="icon icon-clock">
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M8 4.5V8l2.5 1.6" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}

export function OfflineIcon() {
  return (
    <svg {...base} className="icon icon-offline">
      <path
        d="M2 2l12 12M5 9.5a4.5 4.5 0 0 1 6 0M2.5 6.5a8 8 0 0 1 11 0M8 12.5h.01"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function LockIcon() {
  return (
    <svg {...base} className="icon icon-lock">
      <rect x="3" y="7" width="10" height="7.5" rx="1.2" fill="currentColor" />
      <path d="M5.2 7V5a2.8 2.8 0 0 1 5.6 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}

export function GearIcon() {
  return (
    <svg {...base} className="icon icon-gear">
      <circle cx="8" cy="8" r="2.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path
        d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}
