"""The explorer tab: seed, truncation, class and direction sliders, interpolation, favourites and exports."""
