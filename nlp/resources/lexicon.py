"""``python -m nlp.resources.lexicon [DIR]`` validates the lexicon files (see ``nlp.core.lexicon``)."""

import sys

from nlp.core.lexicon import main

if __name__ == "__main__":
    sys.exit(main())
