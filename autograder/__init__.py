"""autograder: the instructor-side grading package."""
