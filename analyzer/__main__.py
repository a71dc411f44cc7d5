from factorscan.cli import main

raise SystemExit(main())
