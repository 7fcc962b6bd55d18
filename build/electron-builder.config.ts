/**
 * electron-builder configuration for Klaxon desktop.
 *
 *   npm run build                      # dist/renderer + dist/desktop (build/bundle-desktop.ts)
 *   npx electron-builder --config build/electron-builder.config.ts --publish never [--win|--mac|--linux]
 *
 * Everything secret comes from the environment (GitHub secrets in .github/workflows/release.yml),
 * never from a file in the repository. docs/it-deployment.md explains each variable:
 *
 *   KLAXON_UPDATE_URL                 https base URL of the generic update feed baked into the build
 *   KLAXON_REQUIRE_SIGNING=true       fail the Windows/macOS build if it would come out unsigned
 *   Windows, certificate:             WIN_CSC_LINK (base64 .pfx or https URL), WIN_CSC_KEY_PASSWORD
 *   Windows, Azure Trusted Signing:   KLAXON_AZURE_SIGNING_ENDPOINT, KLAXON_AZURE_SIGNING_ACCOUNT,
 *                                     KLAXON_AZURE_CERTIFICATE_PROFILE, KLAXON_WIN_PUBLISHER_NAME,
 *                                     plus AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET
 *   macOS:                            CSC_LINK, CSC_KEY_PASSWORD (Developer ID Application .p12) and
 *                                     APPLE_API_KEY / APPLE_API_KEY_ID / APPLE_API_ISSUER, or
 *                                     APPLE_ID / APPLE_APP_SPECIFIC_PASSWORD / APPLE_TEAM_ID (notarisation)
 *
 * Loaded by electron-builder's CLI through jiti, so it must stay self-contained (no project imports).
 */
import type { Configuration, WindowsAzureSigningConfiguration } from 'app-builder-lib';

const env = process.env;

/** Fixed for the life of the product: Windows Installer recognises upgrades by it. Never change it. */
export const MSI_UPGRADE_CODE = 'D067C861-2EAF-4D06-BB12-FED472103D4E';

/**
 * Electron fuses, flipped in the packaged binary before signing. Off: running as plain Node,
 * NODE_OPTIONS, --inspect, file:// extra privileges. On: asar integrity, asar-only, cookie
 * encryption. Why each: docs/security-design.md#electron-fuses.
 */
export const ELECTRON_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
} as const;

const updateUrl = env.KLAXON_UPDATE_URL;
if (updateUrl !== undefined && !/^https:\/\/[^\s]+$/.test(updateUrl)) {
  // The feed decides what code runs on every desktop: plain http would let anyone on the path swap it.
  throw new Error(
    `KLAXON_UPDATE_URL must be an https:// URL (got "${updateUrl}"). Set it to the base URL where latest.yml and the installers are served.`,
  );
}

const requireSigning = env.KLAXON_REQUIRE_SIGNING === 'true';

/** Azure Trusted Signing when its variables are present; otherwise signtool with WIN_CSC_LINK (if any). */
function azureSignOptions(): WindowsAzureSigningConfiguration | null {
  const endpoint = env.KLAXON_AZURE_SIGNING_ENDPOINT;
  if (!endpoint) return null;
  const needed = [
    'KLAXON_AZURE_SIGNING_ACCOUNT',
    'KLAXON_AZURE_CERTIFICATE_PROFILE',
    'KLAXON_WIN_PUBLISHER_NAME',
  ] as const;
  const missing = needed.filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(
      `Azure Trusted Signing is configured (KLAXON_AZURE_SIGNING_ENDPOINT is set) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`,
    );
  }
  return {
    endpoint,
    codeSigningAccountName: env.KLAXON_AZURE_SIGNING_ACCOUNT as string,
    certificateProfileName: env.KLAXON_AZURE_CERTIFICATE_PROFILE as string,
    // Also written to app-update.yml: electron-updater checks downloaded updates against it.
    publisherName: env.KLAXON_WIN_PUBLISHER_NAME as string,
  };
}

const azure = azureSignOptions();

const config: Configuration = {
  appId: 'org.klaxon.desktop',
  productName: 'Klaxon',
  executableName: 'klaxon',
  copyright: 'Copyright © Klaxon maintainers',
  directories: {
    // Laid out by build/bundle-desktop.ts: bundled main.js, preload.cjs, renderer/, a package.json
    // without dependencies. Nothing else from the repository can reach the package.
    app: 'dist/desktop',
    output: 'release',
    buildResources: 'build/resources',
  },
  files: ['**/*', '!**/*.map', '!**/*.ts', '!**/*.md', '!**/node_modules/**'],
  asar: true,
  // The app has no native module; nothing to rebuild (and rebuilding for Electron needs the network).
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  icon: 'assets/icon.png',
  electronFuses: { ...ELECTRON_FUSES },
  // A stable release also writes beta.yml, so machines pinned to the beta channel receive it too.
  generateUpdatesFilesForAllChannels: true,
  publish: [
    {
      provider: 'generic',
      // Expanded at build time; the build fails with "env KLAXON_UPDATE_URL is not defined" if unset.
      url: '${env.KLAXON_UPDATE_URL}',
      channel: 'latest',
    },
  ],

  win: {
    target: [
      { target: 'nsis', arch: ['x64'] },
      { target: 'msi', arch: ['x64'] },
    ],
    icon: 'assets/icon.png',
    requestedExecutionLevel: 'asInvoker',
    // Sign Klaxon.exe (and stamp its version resource), the installers, and Electron's DLLs.
    signAndEditExecutable: true,
    signExts: ['.dll', '.node'],
    // electron-updater refuses an update whose signature does not match the publisher. Never false.
    verifyUpdateCodeSignature: true,
    forceCodeSigning: requireSigning,
    ...(azure ? { azureSignOptions: azure } : {}),
  },
  nsis: {
    // Per-user, no admin rights, no questions: `Klaxon-Setup-<v>.exe /S` installs silently.
    oneClick: true,
    perMachine: false,
    allowElevation: false,
    createDesktopShortcut: false,
    createStartMenuShortcut: true,
    shortcutName: 'Klaxon',
    runAfterFinish: true,
    deleteAppDataOnUninstall: false,
    artifactName: 'Klaxon-Setup-${version}-${arch}.${ext}',
  },
  msi: {
    // Per-machine for software distribution (Intune, SCCM, GPO): `msiexec /i Klaxon-<v>-x64.msi /qn`.
    oneClick: true,
    perMachine: true,
    upgradeCode: MSI_UPGRADE_CODE,
    createDesktopShortcut: false,
    createStartMenuShortcut: true,
    shortcutName: 'Klaxon',
    runAfterFinish: false,
    artifactName: 'Klaxon-${version}-${arch}.${ext}',
  },

  mac: {
    target: [
      { target: 'dmg', arch: ['universal'] },
      { target: 'zip', arch: ['universal'] },
    ],
    icon: 'assets/icon.png',
    category: 'public.app-category.productivity',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    // Notarises when APPLE_API_KEY… or APPLE_ID… variables are set (see the header).
    notarize: true,
    forceCodeSigning: requireSigning,
    minimumSystemVersion: '12.0',
    artifactName: 'Klaxon-${version}-${arch}.${ext}',
  },
  dmg: {
    artifactName: 'Klaxon-${version}-${arch}.${ext}',
  },

  linux: {
    target: [
      { target: 'deb', arch: ['x64'] },
      { target: 'rpm', arch: ['x64'] },
      { target: 'AppImage', arch: ['x64'] },
    ],
    icon: 'assets/icon.png',
    category: 'Network',
    maintainer: 'Klaxon maintainers <klaxon@example.org>',
    vendor: 'Klaxon maintainers',
    synopsis: 'Page the on-call SRE team and see whether SRE already knows',
    // desktopName in dist/desktop/package.json is klaxon.desktop: Electron uses it as WM_CLASS.
    syncDesktopName: true,
    desktop: {
      entry: {
        Name: 'Klaxon',
        GenericName: 'On-call paging',
        Comment: 'Page the on-call SRE team and see whether SRE already knows',
        Categories: 'Network;Monitor;',
        Keywords: 'oncall;on-call;pager;incident;sre;alert;',
        StartupWMClass: 'klaxon',
        StartupNotify: 'false',
      },
    },
    // The XDG autostart entry and the script that installs it only when policy asks for it.
    extraResources: [{ from: 'build/linux/autostart', to: 'linux', filter: ['**/*'] }],
    artifactName: 'Klaxon-${version}-${arch}.${ext}',
  },
  deb: {
    afterInstall: 'build/linux/after-install.tpl',
    afterRemove: 'build/linux/after-remove.tpl',
    packageName: 'klaxon',
    priority: 'optional',
    artifactName: 'klaxon_${version}_${arch}.${ext}',
  },
  rpm: {
    afterInstall: 'build/linux/after-install.tpl',
    afterRemove: 'build/linux/after-remove.tpl',
    packageName: 'klaxon',
    artifactName: 'klaxon-${version}.${arch}.${ext}',
  },
  appImage: {
    artifactName: 'Klaxon-${version}-${arch}.${ext}',
  },
};

export default config;
