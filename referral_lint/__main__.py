"""``python -m referral_lint``: the same command line as ``referral-lint``."""

from referral_lint.launcher import main

if __name__ == "__main__":
    main()
