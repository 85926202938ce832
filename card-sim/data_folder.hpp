// Where the project keeps its files when the user names none.
#pragma once

#include <string>

namespace quorum::sim {

// $QUORUM_DATA_DIR, else $XDG_DATA_HOME/quorum-cards, else $HOME/.local/share/quorum-cards.
std::string dataFolder();

// Creates `path` and its parents (mode 0700); throws std::runtime_error naming the failing folder.
void makeFolders(const std::string& path);

}  // namespace quorum::sim
